import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { z } from 'zod';
const { Item } = await import('./dist/schema/bank.js');
const data = load(readFileSync('/tmp/b14b/bench.yaml', 'utf8'));
const arr = z.array(Item);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const mode = process.argv[2];
const t = cpu();
if (mode === 'each') for (const it of data.items) Item.safeParse(it, { reportInput: true });
else if (mode === 'array') arr.safeParse(data.items, { reportInput: true });
else if (mode === 'jitless') { z.config({ jitless: true }); for (const it of data.items) Item.safeParse(it, { reportInput: true }); }
console.log(mode, (cpu() - t).toFixed(0));
