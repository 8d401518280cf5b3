// Bundles the declarations tsc writes to build/types into one .d.ts per package entry, so the
// published types hold the public API and nothing else.
import { dts } from 'rollup-plugin-dts';

const entries = [
  ['dist/.types/index.d.ts', 'dist/index.d.ts'],
  ['dist/.types/worker/index.d.ts', 'dist/worker/index.d.ts'],
  ['dist/.types/queue/index.d.ts', 'dist/queue/index.d.ts'],
];

export default entries.map(([input, file]) => ({
  input,
  output: { file, format: 'es' },
  external: (id) => id.startsWith('node:') || !id.startsWith('.') && !id.startsWith('/'),
  plugins: [dts()],
}));
