#!/usr/bin/env node
// The executable. Kept tiny: check the Node.js version before anything native loads (an old Node dies in
// better-sqlite3 or sharp with a bare "Segmentation fault"), turn on the compile cache (faster cold
// starts), then load the program.
import module from 'node:module';
import { installNodeAdvice, nodeIsSupported } from './nodeVersion.js';

if (!nodeIsSupported(process.versions.node)) {
  process.stderr.write(`${installNodeAdvice(process.versions.node)}\n`);
  process.exit(1);
}
module.enableCompileCache?.();
const { main } = await import('./program.js');
await main(process.argv.slice(2));
