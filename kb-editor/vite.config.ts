import { defineConfig } from "vite";

// Served by `weft serve` under /kb/, so every asset URL is relative to that prefix.
// `npm run dev` proxies the API and the sync socket to a local `weft serve` (WEFT_URL).
const target = process.env.WEFT_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/kb/",
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      "/v1": { target, ws: true, changeOrigin: false },
    },
  },
});
