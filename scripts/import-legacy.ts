// `npm run import:legacy`: the cut-over from the legacy ftf_config (README, "Importing the legacy configuration").
import { importLegacyCommand } from './import-legacy-command.ts';

process.exitCode = await importLegacyCommand(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
