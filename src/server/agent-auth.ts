/**
 * Who calls the agent API: a signed-in agent (a session token from `POST /api/agents/sign-in`) or a machine
 * (`SWITCHBOARD_AGENT_TOKEN`, which may act as any agent id it names).
 *
 * An agent signs in with their id and password (bot.yaml `agents[].password_hash` or
 * `SWITCHBOARD_AGENT_PASSWORD_HASHES`, scrypt hashes from `switchboard agent hash-password`), or with a one-time
 * sign-in link printed at start for each configured agent without a password. Five wrong passwords in a row for one
 * id pause its sign-in for a minute (429). A session token is
 * `sb1.<payload>.<HMAC-SHA256>`: the payload names the agent and the expiry, the key is derived from the agent token,
 * so instances sharing `SWITCHBOARD_AGENT_TOKEN` accept each other's sessions and nothing is stored. One-time links
 * live in this process's memory (printed by the instance that made them, good for 24 h, once).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '../errors.ts';
import type { AgentProfile } from '../handoff/agent-routing.ts';
import { bearerToken } from '../http/http-utils.ts';
import type { Logger } from '../log.ts';
import { hashPassword, verifyPassword } from '../util/password-hash.ts';
import { hasBearer } from './bearer-token.ts';

/** Who made a request: a machine holding the agent token, or one signed-in agent. */
export type AgentCaller = { kind: 'machine' } | { kind: 'agent'; agent: string };

/** What a sign-in returns (the session token goes in `Authorization: Bearer`). */
export interface AgentSession {
  token: string;
  agent: string;
  name: string;
  expires_at: number;
}

export interface AgentAuthOptions {
  agents: readonly AgentProfile[];
  /** Agent id → password hash from the environment (takes precedence over bot.yaml's). */
  hashes?: Readonly<Record<string, string>>;
  /** `SWITCHBOARD_AGENT_TOKEN` (or the one generated for the run). */
  machineToken: string;
  log: Logger;
  now?: () => number;
  /** How long a session lasts (default 12 h). */
  sessionMs?: number;
}

const LINK_MS = 24 * 3600_000;
/** Wrong passwords for one agent id before sign-in pauses for it, and for how long. */
const MAX_FAILURES = 5;
const LOCK_MS = 60_000;
/** A hash checked when the agent id is unknown, so a wrong id takes as long as a wrong password. */
const DUMMY = hashPassword('switchboard: no such agent');

export class AgentAuth {
  private readonly key: Buffer;
  private readonly now: () => number;
  private readonly sessionMs: number;
  /** One-time sign-in codes (sha256 of the code → agent and expiry). */
  private readonly links = new Map<string, { agent: string; expires: number }>();
  /** Wrong passwords per agent id (this process): after {@link MAX_FAILURES}, a pause of {@link LOCK_MS}. */
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(private readonly o: AgentAuthOptions) {
    this.key = createHash('sha256').update(`switchboard agent sessions\n${o.machineToken}`).digest();
    this.now = o.now ?? Date.now;
    this.sessionMs = o.sessionMs ?? 12 * 3600_000;
  }

  /** The agent's password hash (environment first, then bot.yaml), if any. */
  private hashOf(agent: string): string | undefined {
    return this.o.hashes?.[agent] ?? this.o.agents.find((a) => a.id === agent)?.password_hash;
  }

  /** Configured agents who have no password (they sign in with a link from {@link issueLinks}). */
  withoutPassword(): string[] {
    return this.o.agents.filter((a) => !this.hashOf(a.id)).map((a) => a.id);
  }

  /** New one-time sign-in codes for the agents without a password: put in `/agents#signin=<code>`. */
  issueLinks(): { agent: string; code: string }[] {
    return this.withoutPassword().map((agent) => {
      const code = randomBytes(18).toString('base64url');
      this.links.set(digest(code), { agent, expires: this.now() + LINK_MS });
      return { agent, code };
    });
  }

  /** The caller of a request, or undefined when it carries neither the agent token nor a valid session. */
  caller(req: IncomingMessage): AgentCaller | undefined {
    if (hasBearer(req, this.o.machineToken)) return { kind: 'machine' };
    const token = bearerToken(req);
    const agent = token ? this.sessionAgent(token) : undefined;
    return agent ? { kind: 'agent', agent } : undefined;
  }

  /** The agent a session token names, when its signature holds, it has not expired and the agent is configured. */
  sessionAgent(token: string): string | undefined {
    const [v, payload, mac] = token.split('.');
    if (v !== 'sb1' || !payload || !mac) return undefined;
    const want = this.sign(payload);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    try {
      const { a, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { a?: unknown; e?: unknown };
      if (typeof a !== 'string' || typeof e !== 'number' || e <= this.now()) return undefined;
      return this.o.agents.some((p) => p.id === a) ? a : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Signs an agent in with `{agent, password}` or `{code}` (a one-time link's); E_SIGN_IN (401) otherwise — the same
   * answer for an unknown id and a wrong password. Logged with the agent id, never the password.
   */
  async signIn(body: Record<string, unknown> | null): Promise<AgentSession> {
    const code = body?.code;
    if (typeof code === 'string' && code) {
      const link = this.links.get(digest(code));
      if (!link || link.expires <= this.now()) {
        this.o.log.warn('agent_sign_in_refused', { by: 'link' });
        throw new SwitchboardError(
          'E_SIGN_IN',
          'input',
          'this sign-in link was used already or has expired: ask for a new one (the server prints them at start)',
          { status: 401 },
        );
      }
      this.links.delete(digest(code));
      return this.session(link.agent, 'link');
    }
    const agent = typeof body?.agent === 'string' ? body.agent.trim() : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    if (!agent || !password || agent.length > 200 || password.length > 1000)
      throw new SwitchboardError('E_BAD_REQUEST', 'input', 'give {agent, password} or {code}', { status: 400 });
    const hash = this.hashOf(agent);
    const known = this.o.agents.some((a) => a.id === agent);
    const failed = this.failures.get(agent);
    if (failed && failed.count >= MAX_FAILURES && failed.until > this.now()) {
      this.o.log.warn('agent_sign_in_locked', { agent: known ? agent : '(unknown id)' });
      throw new SwitchboardError(
        'E_SIGN_IN_LOCKED',
        'input',
        `too many wrong passwords: try again in ${Math.ceil((failed.until - this.now()) / 1000)} s`,
        { status: 429 },
      );
    }
    const ok = await verifyPassword(password, hash && known ? hash : await DUMMY);
    if (!ok || !hash || !known) {
      const count = (failed && failed.until > this.now() ? failed.count : 0) + 1;
      if (this.failures.size > 10_000) this.failures.clear(); // a flood of made-up ids cannot grow it without bound
      this.failures.set(agent, { count, until: this.now() + LOCK_MS });
      this.o.log.warn('agent_sign_in_refused', { by: 'password', agent: known ? agent : '(unknown id)' });
      throw new SwitchboardError('E_SIGN_IN', 'input', 'wrong agent id or password', { status: 401 });
    }
    this.failures.delete(agent);
    return this.session(agent, 'password');
  }

  /** The configured agent's profile. */
  profile(agent: string): AgentProfile | undefined {
    return this.o.agents.find((a) => a.id === agent);
  }

  private session(agent: string, by: 'password' | 'link'): AgentSession {
    const expires = this.now() + this.sessionMs;
    const payload = Buffer.from(
      JSON.stringify({ a: agent, e: expires, n: randomBytes(6).toString('base64url') }),
    ).toString('base64url');
    this.o.log.info('agent_signed_in', { agent, by });
    return {
      token: `sb1.${payload}.${this.sign(payload).toString('base64url')}`,
      agent,
      name: this.profile(agent)?.name ?? agent,
      expires_at: expires,
    };
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}

const digest = (code: string) => createHash('sha256').update(code).digest('base64url');
