import { isIP } from 'node:net';
import { Command } from 'commander';
import { GlassboxError } from '../data/errors.js';
import { displaySpec, isTableSpec } from '../node/db-table.js';

interface ServeFlags {
  port: string;
  host: string;
  dataDir: string;
  accounts?: boolean;
  concurrency: string;
  connection: string[];
  example?: boolean;
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'the REST API (OpenAPI at /docs) on embedded SQLite: projects, uploads, AutoML runs with live progress, models and scoring',
    )
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to listen on; beyond loopback it needs --accounts', '127.0.0.1')
    .option('--data-dir <dir>', 'database (glassbox.db) and files', 'glassbox-data')
    .option('--accounts', 'require sign-in (sessions, API tokens); without it one local user, loopback only')
    .option('--concurrency <n>', 'AutoML runs at once (the rest wait in the queue)', '1')
    .option('--example', 'add the embedded example (Telco churn, with a model training on it) if it is not there yet')
    .option(
      '--connection <name=url>',
      'a database whose tables users may score, as NAME=sqlite:PATH or NAME=postgres://USER@HOST/DB (repeatable; a Postgres password is best given as PGPASSWORD)',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!(Number.isInteger(port) && port >= 0 && port < 65536))
        throw new GlassboxError(`--port must be a port number, got "${flags.port}"`);
      const concurrency = Number(flags.concurrency);
      if (!(Number.isInteger(concurrency) && concurrency > 0))
        throw new GlassboxError(`--concurrency must be a positive whole number, got "${flags.concurrency}"`);
      if (!flags.accounts && !isLoopback(flags.host))
        throw new GlassboxError(
          `listening on ${flags.host} would let anyone on the network in: add --accounts (sign-in required) or keep --host 127.0.0.1`,
        );
      if (flags.example && flags.accounts)
        throw new GlassboxError('--example adds a project for the local user: use it without --accounts');
      const connections: Record<string, string> = {};
      for (const c of flags.connection) {
        const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(c);
        if (!m || !isTableSpec(m[2]))
          throw new GlassboxError(
            `--connection must be NAME=sqlite:PATH or NAME=postgres://USER@HOST/DB, got "${displaySpec(c.replace(/^[^=]*=/, ''))}"`,
          );
        connections[m[1]] = m[2];
      }
      // Loaded here: the server's modules are the largest part of the CLI's start-up.
      const { buildApp } = await import('../server/app.js');
      const { app, interrupted } = await buildApp({
        dataDir: flags.dataDir,
        auth: flags.accounts ? 'accounts' : 'local',
        jobs: { concurrency },
        connections,
        example: flags.example,
      });
      const address = await app.listen({ port, host: flags.host });
      process.stderr.write(
        `glassbox serving ${address} (API docs at ${address}/docs; data in ${flags.dataDir}; ${flags.accounts ? 'sign-in required' : 'local mode, no sign-in'})\n`,
      );
      if (interrupted.length)
        process.stderr.write(
          `${interrupted.length} run(s) were interrupted by the last stop; POST /api/runs/<id>/resume continues them\n`,
        );
      const stop = () => {
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // Serve until stopped.
      await new Promise<never>(() => undefined);
    });
}
