// Imported first by the renderer's entry: zod's JIT probes `new Function` on first parse, which a strict CSP
// (script-src 'self', no 'unsafe-eval') refuses and reports as a violation on every load. Jitless parsing is plenty
// fast for bridge events, and keeps the console clean.
import { z } from 'zod';

z.config({ jitless: true });
