import { defineConfig } from 'vite';

// `npm start` serves demo/ (the element straight from src/, hot reloaded);
// `vite build` makes the library build in dist/ (the distribution issue
// adds the self-contained bundle and the classic-script build).
export default defineConfig(({ command }) =>
  command === 'serve'
    ? {
        root: 'demo',
        server: { port: Number(process.env.PORT ?? 3000), strictPort: false, fs: { allow: ['..'] } },
        clearScreen: false,
      }
    : {
        build: {
          lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'realtime-voice.js' },
          sourcemap: true,
          rollupOptions: { external: [/^lit($|\/)/, /^@lit\//] },
        },
      },
);
