// Imported first by the modules whose zod schemas run in the browser (the forms). Zod 4 compiles
// object parsers with `new Function` when it may, and probes for that on the first z.object():
// under the pages' Content-Security-Policy (no 'unsafe-eval') the probe is a reported violation.
// Jitless parsing is what runs anyway once the probe fails, so it costs nothing.
import { z } from 'zod';

z.config({ jitless: true });
