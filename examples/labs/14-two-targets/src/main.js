// The program: says in which mode it runs.
import { mode } from './mode.js';

console.log(`Running in ${mode(process.env)} mode`);
