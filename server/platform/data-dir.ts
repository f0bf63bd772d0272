// DATA_DIR holds secrets (the embedded database, the local encryption key, the sandbox's state with every
// subaccount token, demo passwords), so it is owner-only: everything the process creates gets 0700/0600
// (umask 077, set before anything writes), and a start refuses a directory other users can read or write,
// naming the fix, rather than keep running on secrets that are open to them.
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Every file and directory under `dir` (itself included) that group or other can reach and access, with its
 * mode. Entries behind an owner-only directory cannot be reached by anyone else; they are tightened to
 * owner-only here instead (PGlite, like any Emscripten file system, creates its files 0666 whatever the umask).
 */
export function openToOthers(dir: string): { path: string; mode: string }[] {
  const found: { path: string; mode: string }[] = [];
  const visit = (p: string, reachable: boolean) => {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    const open = (st.mode & 0o077) !== 0;
    if (open && reachable) found.push({ path: p, mode: (st.mode & 0o777).toString(8).padStart(4, '0') });
    else if (open) chmodSync(p, st.mode & 0o700);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name), reachable && (st.mode & 0o011) !== 0);
  };
  visit(dir, true);
  return found;
}

/** Makes everything under `dir` owner-only (after PGlite has created its files). */
export function tightenOwnerOnly(dir: string): void {
  const visit = (p: string) => {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    if (st.mode & 0o077) chmodSync(p, st.mode & 0o700);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
}

/** Makes files created from now on owner-only; returns the refusal message when `dir` already is not. */
export function secureDataDir(dir: string): string | undefined {
  process.umask(0o077);
  const open = openToOthers(dir);
  if (open.length === 0) return undefined;
  const sample = open
    .slice(0, 3)
    .map((e) => `${e.path} (mode ${e.mode})`)
    .join(', ');
  return (
    `DATA_DIR ${dir} is open to other users: ${open.length} entr${open.length === 1 ? 'y' : 'ies'}, e.g. ${sample}. ` +
    `It holds the database, the encryption key and Twilio credentials. Fix it with: chmod -R go-rwx '${dir}'`
  );
}
