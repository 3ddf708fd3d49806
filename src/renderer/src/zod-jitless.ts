import { config } from 'zod'

// The CSP forbids eval. Without this, zod probes `new Function` when the first object schema is
// built (at import time, in shared's contract) to pick its fast path, and the blocked probe is
// reported as a CSP violation. main.tsx imports this module first, before anything that builds one.
config({ jitless: true })
