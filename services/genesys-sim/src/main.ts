import { exitOnSignal } from '@lockstep/lifecycle';
import { pino } from 'pino';
import { loadConfig, SimConfigError } from './config.js';
import { loadScenario } from './scenario/index.js';
import { createSimServer } from './server.js';
import { createWorld } from './world/index.js';

/**
 * Entry point: `npm run sim -- --port <p> --scenario <name|file> [...]`. Wires config, logger, world and server,
 * prints `listening on http://<host>:<port>` once requests are accepted, and closes everything on SIGINT/SIGTERM.
 * Bad flags or an unloadable scenario: one message listing the problems, exit code 2.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof SimConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'genesys-sim' } });

  let world: ReturnType<typeof createWorld>;
  try {
    const scenario = loadScenario(config.scenario);
    world = createWorld({ scenario, seed: config.seed, speed: config.speed, clock: 'real' });
  } catch (err) {
    // A ScenarioError's message already lists its issues, one per line: print it as it is, once.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`invalid simulator configuration:\n  - --scenario: ${message}\n`);
    process.exit(2);
  }

  const server = createSimServer({ world, config, logger });

  exitOnSignal({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    close: async () => {
      try {
        world.stop();
      } catch (err) {
        logger.error({ err }, 'world stop failed');
      }
      try {
        await server.close();
      } catch (err) {
        process.exitCode = 1;
        throw err;
      }
    },
  });

  const { baseUrl } = await server.start();
  world.start();
  logger.info({ scenario: config.scenario, seed: config.seed }, 'simulator started');
  process.stdout.write(`genesys-sim listening on ${baseUrl}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`genesys-sim failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
