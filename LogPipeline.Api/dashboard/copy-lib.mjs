// Copies the dashboard's third-party files from node_modules to ../wwwroot/lib (generated, git-ignored).
// Run by the Api project's build (LogPipeline.Api.csproj, target DashboardLib) after `npm ci`.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const lib = join(here, '..', 'wwwroot', 'lib');

// [package file, destination under wwwroot/lib]
const files = [
  ['uplot/dist/uPlot.esm.js', 'uplot/uPlot.esm.js'],
  ['uplot/dist/uPlot.min.css', 'uplot/uPlot.min.css'],
  ['uplot/LICENSE', 'uplot/LICENSE'],
];

rmSync(lib, { recursive: true, force: true });
for (const [from, to] of files) {
  const target = join(lib, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(here, 'node_modules', from), target);
}
console.log(`dashboard: copied ${files.length} files to ${lib}`);
