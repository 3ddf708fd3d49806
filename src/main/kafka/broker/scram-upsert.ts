// Adds the managed user's SCRAM credential to a running broker whose storage was formatted before
// Tickflow used SCRAM (issue 15, L5): such a log dir cannot be formatted again, and kafkajs has no
// AlterUserScramCredentials, nor does the broker's classpath hold Kafka's ConfigCommand. So this
// speaks the three requests it needs itself, to a controller, over the controller listener's
// SASL/PLAIN: SaslHandshake v1, SaslAuthenticate v0 and AlterUserScramCredentials v0. (kafka-clients'
// Admin has the call, but a Java one-off needs a compiler, which a JRE lacks; kafka-tools would add
// its jars to every install for a path taken once per old data dir.)
import { pbkdf2, randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

const SASL_HANDSHAKE = 17
const SASL_AUTHENTICATE = 36
const ALTER_USER_SCRAM_CREDENTIALS = 51
/** Kafka's ScramMechanism type ids */
const MECHANISM_ID = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const
export type ScramMechanism = keyof typeof MECHANISM_ID
/** Kafka's minimum for both mechanisms */
export const SCRAM_ITERATIONS = 4096
const NOT_CONTROLLER = 41

function uvarint(n: number): Buffer {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return Buffer.from(out)
}

const int8 = (n: number): Buffer => Buffer.from([n])
function int16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeInt16BE(n)
  return b
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}
const string = (s: string): Buffer => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)])
const bytes = (b: Buffer): Buffer => Buffer.concat([int32(b.length), b])
const compactString = (s: string): Buffer =>
  Buffer.concat([uvarint(Buffer.byteLength(s) + 1), Buffer.from(s)])
const compactBytes = (b: Buffer): Buffer => Buffer.concat([uvarint(b.length + 1), b])
const NO_TAGS = uvarint(0)

/** A request frame: size, header (v2 when `flexible`, else v1) and body. */
export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Buffer,
  flexible: boolean,
): Buffer {
  const header = Buffer.concat([
    int16(apiKey),
    int16(apiVersion),
    int32(correlationId),
    string('tickflow-scram-upgrade'),
    ...(flexible ? [NO_TAGS] : []),
  ])
  return Buffer.concat([int32(header.length + body.length), header, body])
}

export interface ScramUpsertion {
  user: string
  mechanism: ScramMechanism
  iterations: number
  salt: Buffer
  saltedPassword: Buffer
}

/** AlterUserScramCredentials v0's body: no deletions, one upsertion. */
export function alterScramBody(u: ScramUpsertion): Buffer {
  return Buffer.concat([
    uvarint(1), // deletions: an empty compact array
    uvarint(2), // upsertions: one
    compactString(u.user),
    int8(MECHANISM_ID[u.mechanism]),
    int32(u.iterations),
    compactBytes(u.salt),
    compactBytes(u.saltedPassword),
    NO_TAGS,
    NO_TAGS,
  ])
}

/** SCRAM's SaltedPassword (RFC 5802 Hi()): PBKDF2 with the mechanism's HMAC. */
export async function scramUpsertion(
  user: string,
  password: string,
  mechanism: ScramMechanism,
  salt: Buffer = randomBytes(32),
): Promise<ScramUpsertion> {
  const [digest, len] = mechanism === 'SCRAM-SHA-256' ? ['sha256', 32] : ['sha512', 64]
  const saltedPassword = await pbkdf2Async(password, salt, SCRAM_ITERATIONS, len as number, digest as string)
  return { user, mechanism, iterations: SCRAM_ITERATIONS, salt, saltedPassword }
}

/** A reader over one response body. */
class Reader {
  private at = 0
  constructor(private readonly buf: Buffer) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.at)
    this.at += 2
    return v
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.at)
    this.at += 4
    return v
  }
  uvarint(): number {
    let n = 0
    for (let shift = 0; ; shift += 7) {
      const b = this.buf[this.at++]!
      n |= (b & 0x7f) << shift
      if (b < 0x80) return n
    }
  }
  /** a nullable string, int16-prefixed or (compact) uvarint-prefixed */
  string(compact: boolean): string | null {
    const len = compact ? this.uvarint() - 1 : this.int16()
    if (len < 0) return null
    const s = this.buf.toString('utf8', this.at, this.at + len)
    this.at += len
    return s
  }
}

/** The errors in AlterUserScramCredentials v0's response body (after the header's tag byte). */
export function alterScramErrors(body: Buffer): { code: number; message: string | null }[] {
  const r = new Reader(body)
  r.int32() // throttle time
  const n = r.uvarint() - 1
  const out: { code: number; message: string | null }[] = []
  for (let i = 0; i < n; i++) {
    r.string(true) // user
    const code = r.int16()
    const message = r.string(true)
    r.uvarint() // tagged fields
    if (code !== 0) out.push({ code, message })
  }
  return out
}

/** One connection that sends a request and reads its response, in turn. */
class Exchange {
  private buf = Buffer.alloc(0)
  private waiting: ((frame: Buffer) => void) | null = null
  private failed: Error | null = null
  private fail: ((err: Error) => void) | null = null
  private nextId = 1

  constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d])
      this.deliver()
    })
    const onEnd = (err?: Error): void => {
      this.failed ??= err ?? new Error('the controller closed the connection')
      this.fail?.(this.failed)
    }
    socket.on('error', onEnd)
    socket.on('close', () => onEnd())
  }

  private deliver(): void {
    if (this.buf.length < 4 || !this.waiting) return
    const size = this.buf.readInt32BE(0)
    if (this.buf.length < 4 + size) return
    const frame = this.buf.subarray(4, 4 + size)
    this.buf = this.buf.subarray(4 + size)
    const done = this.waiting
    this.waiting = null
    this.fail = null
    done(frame)
  }

  /** The response body: past the correlation id, and past the header's tags when `flexible`. */
  async send(apiKey: number, apiVersion: number, body: Buffer, flexible: boolean): Promise<Buffer> {
    if (this.failed) throw this.failed
    const id = this.nextId++
    const frame = await new Promise<Buffer>((resolve, reject) => {
      this.waiting = resolve
      this.fail = reject
      this.socket.write(encodeRequest(apiKey, apiVersion, id, body, flexible))
    })
    if (frame.readInt32BE(0) !== id) throw new Error('the controller answered out of order')
    // A flexible response header has tagged fields after the id; ours are always empty.
    return frame.subarray(flexible ? 5 : 4)
  }
}

export interface ControllerLogin {
  host: string
  port: number
  /** the controller listener's SASL/PLAIN user and password */
  username: string
  password: string
  timeoutMs?: number
}

/**
 * Upserts `upsertion` at the controller `login` names. Resolves false when that controller is not
 * the active one (ask another); throws on any other refusal.
 */
export async function upsertScramCredential(
  login: ControllerLogin,
  upsertion: ScramUpsertion,
): Promise<boolean> {
  const socket = connect({ host: login.host, port: login.port })
  socket.setTimeout(login.timeoutMs ?? 5_000, () =>
    socket.destroy(new Error(`no answer from the controller at ${login.host}:${login.port}`)),
  )
  const ex = new Exchange(socket)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    const hs = new Reader(await ex.send(SASL_HANDSHAKE, 1, string('PLAIN'), false))
    const hsCode = hs.int16()
    if (hsCode !== 0) throw new Error(`controller refused SASL/PLAIN (error ${hsCode})`)
    const token = Buffer.from(`\u0000${login.username}\u0000${login.password}`)
    const auth = new Reader(await ex.send(SASL_AUTHENTICATE, 0, bytes(token), false))
    const authCode = auth.int16()
    if (authCode !== 0)
      throw new Error(`controller refused the login (error ${authCode}): ${auth.string(false) ?? ''}`)
    const errors = alterScramErrors(
      await ex.send(ALTER_USER_SCRAM_CREDENTIALS, 0, alterScramBody(upsertion), true),
    )
    if (errors.some((e) => e.code === NOT_CONTROLLER)) return false
    if (errors.length > 0)
      throw new Error(
        `controller refused the SCRAM credential (error ${errors[0]!.code}): ${errors[0]!.message ?? ''}`,
      )
    return true
  } finally {
    socket.destroy()
  }
}
