import { cliVersion, ensureTemporalCli } from './temporalCli';

// `npm run temporal:install`: makes sure the pinned Temporal CLI is at hand (used by CI before the tests).
ensureTemporalCli()
  .then((cli) => {
    const where = cli.source === 'sdk-download' ? 'downloaded by the SDK when first used' : `${cli.path} (${cliVersion(cli.path) ?? 'version unknown'})`;
    process.stdout.write(`Temporal CLI from ${cli.source}: ${where}\n`);
  })
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
