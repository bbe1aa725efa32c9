/** `npm run lockstep -- agent <userId>` / `npm run lockstep -- findings [--rule <id>]`. */
import { runCli } from './cli-commands.js';
import { loadCliEnv } from './config.js';

runCli(process.argv.slice(2), loadCliEnv(), {
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
