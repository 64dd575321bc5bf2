/// <reference types="vitest/config" />
// Builds the UI into ui/dist, which the desktop app embeds. Everything is bundled: no CDN, no
// network at run time; nothing is inlined as data: URIs so the strict CSP holds.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
