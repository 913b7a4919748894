import { Hono } from "hono";

// Ponder 1.0 wants an API entry; the benchmark only measures indexing.
const app = new Hono();
app.get("/ok", (c) => c.text("ok"));
export default app;
