import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway Postgres server for tests, from Debian's postgresql package (.ci/run installs it):
 * its own cluster in a temporary directory, reachable only by a Unix socket there, trust auth,
 * stopped and deleted by stop(). Root cannot run postgres, so as root it runs as user postgres.
 */

export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

export interface TestPostgres {
  /** postgres:// URL of the database `glassbox`, without a ?table= part. */
  readonly url: string;
  stop(): void;
}

export function startPostgres(): TestPostgres {
  const bin = postgresBin();
  if (!bin) throw new Error('no Postgres binaries under /usr/lib/postgresql (apt-get install -y postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-pg-'));
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'glassbox', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-k ${dir} -c listen_addresses= -F`, 'start']);
  run('createdb', ['-h', dir, '-U', 'glassbox', 'glassbox']);
  return {
    url: `postgres://glassbox@localhost/glassbox?host=${dir}`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
