import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { YamlSyntaxError, parseYamlDocuments } from '../components/config/yaml-parse';
import type { ManifestDocument } from '../policies/manifests';

/** A path that cannot be read as manifests (missing, unreadable, not YAML); the message names it. */
export class ManifestFileError extends Error {}

/** File names read as manifests: YAML, and JSON (which is YAML). */
const MANIFEST_FILE = /\.(ya?ml|json)$/;

/**
 * The manifest files under `path`: the path itself when it is a file, else every *.yaml, *.yml
 * and *.json below it, sorted (the report does not depend on the directory's order). Hidden
 * entries (`.git`) and node_modules are skipped; a symbolic link is read when it names a file
 * and never followed into a directory (no loops, nothing outside the tree).
 */
export function manifestFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new ManifestFileError(`${path}: cannot read the manifests (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!stat.isDirectory()) return [path];
  const files: string[] = [];
  const pending = [path];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (MANIFEST_FILE.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && isFile(full)))) files.push(full);
    }
  }
  const key = (file: string) => relative(path, file).split(/[\\/]/);
  return files.sort((a, b) => compareSegments(key(a), key(b)));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function compareSegments(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

/** Every document of every manifest file under `path`, in file order; a file that is not YAML stops with its position. */
export function readManifestDocuments(path: string): ManifestDocument[] {
  const documents: ManifestDocument[] = [];
  for (const file of manifestFiles(path)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ManifestFileError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let values: unknown[];
    try {
      values = parseYamlDocuments(text);
    } catch (error) {
      if (error instanceof YamlSyntaxError) throw new ManifestFileError(`${file}:${error.where}: invalid YAML: ${error.message}`);
      throw error;
    }
    values.forEach((value, index) => documents.push({ file, index: index + 1, value }));
  }
  return documents;
}
