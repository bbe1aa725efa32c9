/** `npm run lockstep -- agent <userId>` / `npm run lockstep -- findings [--rule <id>]`. */
import { isApiCommand, runApiCli } from './cli-api.js';
import { runCli } from './cli-commands.js';
import { loadCliEnv } from './config.js';

const args = process.argv.slice(2);
const env = loadCliEnv();
(isApiCommand(args, env) ? runApiCli : runCli)(args, env, {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lockstep: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
