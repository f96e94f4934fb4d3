import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** A temporary name in the same folder (so the rename stays on one file system), hidden, unique. */
function tempPath(file: string): string {
  const full = resolve(file);
  return join(dirname(full), `.${basename(full)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** fsync of the folder, so the rename itself survives a power loss; folders cannot be opened on Windows. */
function fsyncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `bytes` to `file` so that `file` is always either its old content or the complete new one:
 * write a temporary file in the same folder, fsync it, rename it over `file`, fsync the folder. A crash
 * at any moment leaves at worst a stray `.name.*.tmp` file, never a partial `file`.
 * @example writeFileAtomicSync('out/model.safetensors', bytes);
 */
export function writeFileAtomicSync(file: string, bytes: Uint8Array): void {
  const tmp = tempPath(file);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created
    }
    throw e;
  }
  fsyncDirSync(dirname(resolve(file)));
}

/** The asynchronous form of `writeFileAtomicSync`. */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = tempPath(file);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  const dir = dirname(resolve(file));
  let dirHandle;
  try {
    dirHandle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await dirHandle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    await dirHandle.close();
  }
}
