#!/usr/bin/env node
// The executable. Kept tiny: turn on the compile cache (faster cold starts), then load the program.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('./program.js');
await main(process.argv.slice(2));
