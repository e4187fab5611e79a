/**
 * The server's configuration: the environment read once at start-up and
 * validated, so a wrong setting stops the server with a message that names
 * the variable, instead of failing on the first call.
 */
import { z } from 'zod';
import { authConfigFrom, authEnvSchema, type AuthConfig } from './auth/auth-config.js';
import { parseMcpServers, type McpServerTool } from './mcp-servers.js';
import { NO_QUOTAS, quotaConfigFrom, quotaEnvSchema, type QuotaConfig } from './quota/quota-config.js';
import {
  SettingError,
  envName,
  parseLocked,
  parseSettings,
  type LockableField,
  type SessionSettings,
} from './session-defaults.js';

export const VOICES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
] as const;

export interface ServerConfig {
  port: number;
  provider: 'emulator' | 'azure' | 'openai';
  azure?: { endpoint: string; apiKey?: string; deployment: string };
  openai?: { apiKey: string; baseUrl: string; model: string };
  /** Voice when the browser sends none. */
  defaultVoice?: string;
  /** Server-side instructions. */
  instructions?: string;
  /** What to do with instructions from the browser. */
  browserInstructions: 'accept' | 'append' | 'ignore';
  maxInstructionsLength: number;
  /** Ask the service for `?webrtcfilter=on` (keeps instructions and tools off the browser's data channel). */
  webrtcFilter: boolean;
  /** Extra GA session fields for every call, as GA JSON (the demo's); `settings` go over them. */
  sessionDefaults?: Record<string, unknown>;
  /** The operator's session settings from REALTIME_TRANSCRIPTION_MODEL, REALTIME_TURN_DETECTION, … */
  settings: SessionSettings;
  /** Fields the page may not change (REALTIME_LOCKED): its value for them is ignored. */
  locked: ReadonlySet<LockableField>;
  /** Remote MCP servers every session gets as tools (REALTIME_MCP_SERVERS); never from the page. */
  mcpServers: McpServerTool[];
  /** Origins allowed to call the routes from a browser; empty = same-origin only. */
  allowedOrigins: string[];
  rateLimit: { max: number; windowMs: number };
  redisUrl?: string;
  upstreamTimeoutMs: number;
  /**
   * Deadlines for a browser's request to arrive: its headers, and the whole
   * request (headers and body). A client that trickles bytes to hold a
   * connection open (slowloris) is cut off with a 408 when either passes.
   */
  clientTimeouts: { headersMs: number; requestMs: number };
  /** Open the observer WebSocket on calls made through /connect (logs transcripts, runs server tools). */
  observer: boolean;
  /** Express `trust proxy`, for the client address behind a load balancer (rate limits). */
  trustProxy: string | number | boolean;
  /** Who may mint tokens and open calls (AUTH_MODE); undefined when unset, which `npm run server` refuses. */
  auth?: AuthConfig;
  /** Quotas per user, the site's spend cap and call length (QUOTA_*, SPEND_CAP_*, *_CALL_SECONDS); unset = none. */
  quotas: QuotaConfig;
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 3000,
  provider: 'emulator',
  browserInstructions: 'accept',
  maxInstructionsLength: 4000,
  webrtcFilter: false,
  settings: {},
  locked: new Set(),
  mcpServers: [],
  allowedOrigins: [],
  rateLimit: { max: 20, windowMs: 60_000 },
  upstreamTimeoutMs: 10_000,
  clientTimeouts: { headersMs: 10_000, requestMs: 30_000 },
  observer: false,
  trustProxy: false,
  quotas: NO_QUOTAS,
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => /^https?:\/\/[^\s/]+/.test(value),
      `${name} must be an http(s) URL, e.g. https://my-resource.openai.azure.com`,
    )
    .transform((value) => value.replace(/\/+$/, ''));
const positiveInt = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be greater than 0`);
const flag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'].includes(v), `${name} must be true or false`)
    .transform((v) => ['1', 'true', 'on', 'yes'].includes(v));

const envSchema = z.object({
  PORT: positiveInt('PORT')
    .refine((n) => n < 65536, 'PORT must be below 65536')
    .optional(),
  REALTIME_PROVIDER: z
    .enum(['emulator', 'azure', 'openai'], { error: 'REALTIME_PROVIDER must be emulator, azure or openai' })
    .optional(),
  AZURE_OPENAI_ENDPOINT: url('AZURE_OPENAI_ENDPOINT').transform(azureResourceRoot).optional(),
  AZURE_OPENAI_API_KEY: z.string().trim().min(1).optional(),
  AZURE_OPENAI_DEPLOYMENT: z
    .string()
    .trim()
    .regex(/^[\w.-]{1,64}$/, 'AZURE_OPENAI_DEPLOYMENT must be a deployment name (letters, digits, . _ -)')
    .optional(),
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: url('OPENAI_BASE_URL').optional(),
  OPENAI_REALTIME_MODEL: z.string().trim().min(1).optional(),
  REALTIME_VOICE: z.enum(VOICES, { error: `REALTIME_VOICE must be one of ${VOICES.join(', ')}` }).optional(),
  REALTIME_INSTRUCTIONS: z.string().optional(),
  REALTIME_BROWSER_INSTRUCTIONS: z
    .enum(['accept', 'append', 'ignore'], { error: 'REALTIME_BROWSER_INSTRUCTIONS must be accept, append or ignore' })
    .optional(),
  REALTIME_MAX_INSTRUCTIONS: positiveInt('REALTIME_MAX_INSTRUCTIONS').optional(),
  REALTIME_WEBRTC_FILTER: flag('REALTIME_WEBRTC_FILTER').optional(),
  REALTIME_OBSERVER: flag('REALTIME_OBSERVER').optional(),
  ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine(
      (origins) => origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o)),
      'ALLOWED_ORIGINS must be comma-separated origins like https://example.com (no path)',
    )
    .optional(),
  RATE_LIMIT_MAX: positiveInt('RATE_LIMIT_MAX').optional(),
  RATE_LIMIT_WINDOW_MS: positiveInt('RATE_LIMIT_WINDOW_MS').optional(),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  UPSTREAM_TIMEOUT_MS: positiveInt('UPSTREAM_TIMEOUT_MS').optional(),
  HEADERS_TIMEOUT_MS: positiveInt('HEADERS_TIMEOUT_MS').optional(),
  REQUEST_TIMEOUT_MS: positiveInt('REQUEST_TIMEOUT_MS').optional(),
  TRUST_PROXY: z.string().trim().optional(),
  ...authEnvSchema.shape,
  ...quotaEnvSchema.shape,
});

/** Reads and validates the environment; throws ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  // Empty strings count as unset, as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`${name}: ${issue.message.includes(name) ? issue.message : `${issue.message} (${name})`}`);
  }
  const e = parsed.data;
  let settings: SessionSettings;
  let locked: Set<LockableField>;
  try {
    settings = parseSettings(
      Object.fromEntries(
        Object.entries(present)
          .filter(([k]) => k.startsWith('REALTIME_'))
          .map(([k, v]) => [k.slice('REALTIME_'.length).toLowerCase(), v]),
      ),
      envName,
    );
    locked = parseLocked(present.REALTIME_LOCKED);
  } catch (error) {
    if (error instanceof SettingError) throw new ConfigError(error.message);
    throw error;
  }
  let mcpServers: McpServerTool[];
  try {
    mcpServers = parseMcpServers(present.REALTIME_MCP_SERVERS);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const provider =
    e.REALTIME_PROVIDER ?? (e.AZURE_OPENAI_ENDPOINT ? 'azure' : e.OPENAI_API_KEY ? 'openai' : 'emulator');
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: e.PORT ?? DEFAULT_CONFIG.port,
    provider,
    defaultVoice: e.REALTIME_VOICE,
    instructions: e.REALTIME_INSTRUCTIONS,
    browserInstructions: e.REALTIME_BROWSER_INSTRUCTIONS ?? DEFAULT_CONFIG.browserInstructions,
    maxInstructionsLength: e.REALTIME_MAX_INSTRUCTIONS ?? DEFAULT_CONFIG.maxInstructionsLength,
    webrtcFilter: e.REALTIME_WEBRTC_FILTER ?? DEFAULT_CONFIG.webrtcFilter,
    settings,
    locked,
    mcpServers,
    observer: e.REALTIME_OBSERVER ?? DEFAULT_CONFIG.observer,
    allowedOrigins: e.ALLOWED_ORIGINS ?? [],
    rateLimit: {
      max: e.RATE_LIMIT_MAX ?? DEFAULT_CONFIG.rateLimit.max,
      windowMs: e.RATE_LIMIT_WINDOW_MS ?? DEFAULT_CONFIG.rateLimit.windowMs,
    },
    redisUrl: e.REDIS_URL,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS ?? DEFAULT_CONFIG.upstreamTimeoutMs,
    clientTimeouts: {
      headersMs: e.HEADERS_TIMEOUT_MS ?? DEFAULT_CONFIG.clientTimeouts.headersMs,
      requestMs: e.REQUEST_TIMEOUT_MS ?? DEFAULT_CONFIG.clientTimeouts.requestMs,
    },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    quotas: quotaConfigFrom(e),
  };
  try {
    config.auth = authConfigFrom(e);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  // Node refuses a headers deadline longer than the whole request's; say so in the environment's words.
  if (config.clientTimeouts.headersMs > config.clientTimeouts.requestMs) {
    const name = e.HEADERS_TIMEOUT_MS !== undefined ? 'HEADERS_TIMEOUT_MS' : 'REQUEST_TIMEOUT_MS';
    throw new ConfigError(
      `${name}: HEADERS_TIMEOUT_MS (${config.clientTimeouts.headersMs}) must not be longer than REQUEST_TIMEOUT_MS (${config.clientTimeouts.requestMs})`,
    );
  }
  if (provider === 'azure') {
    if (!e.AZURE_OPENAI_ENDPOINT)
      throw new ConfigError(
        'AZURE_OPENAI_ENDPOINT: required when REALTIME_PROVIDER=azure (e.g. https://my-resource.openai.azure.com)',
      );
    config.azure = {
      endpoint: e.AZURE_OPENAI_ENDPOINT,
      apiKey: e.AZURE_OPENAI_API_KEY,
      deployment: e.AZURE_OPENAI_DEPLOYMENT ?? 'gpt-realtime',
    };
  }
  if (config.webrtcFilter && provider === 'openai') {
    // Only Azure documents ?webrtcfilter=on; OpenAI's calls would carry instructions and tool traffic
    // to the browser anyway, so a setting that promises to keep them off it must not pass silently.
    throw new ConfigError(
      "REALTIME_WEBRTC_FILTER: only Azure OpenAI (and the emulator) filter the browser's data channel; OpenAI has no such option. Unset it, or keep instructions private with /connect and REALTIME_BROWSER_INSTRUCTIONS=ignore.",
    );
  }
  if (provider === 'openai') {
    if (!e.OPENAI_API_KEY) throw new ConfigError('OPENAI_API_KEY: required when REALTIME_PROVIDER=openai');
    config.openai = {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
      model: e.OPENAI_REALTIME_MODEL ?? 'gpt-realtime',
    };
  }
  return config;
}

/**
 * The resource root the provider adds `/openai/v1` to, from the endpoint as people paste it: the
 * root itself, or with `/openai/v1` (or `/openai`) as the portal and the v1 docs show it, on any
 * host (`*.openai.azure.com`, `*.cognitiveservices.azure.com`, `*.services.ai.azure.com`, or a
 * loopback stand-in). A Foundry project URL names no realtime endpoint: refused with what to set.
 */
export function azureResourceRoot(endpoint: string, ctx: z.RefinementCtx): string {
  const parsed = new URL(endpoint);
  if (/\/api\/projects(\/|$)/i.test(parsed.pathname)) {
    ctx.addIssue({
      code: 'custom',
      message: `AZURE_OPENAI_ENDPOINT is a Foundry project URL (…/api/projects/…): set the resource's own endpoint instead, https://${parsed.hostname} (Foundry portal: the resource's overview, "Azure OpenAI endpoint")`,
    });
    return z.NEVER;
  }
  if (parsed.search || parsed.hash) {
    ctx.addIssue({
      code: 'custom',
      message:
        'AZURE_OPENAI_ENDPOINT must not carry a query or fragment (the GA /openai/v1 API takes no ?api-version=): set only https://my-resource.openai.azure.com',
    });
    return z.NEVER;
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/i, '')}`;
}

function parseTrustProxy(value: string | undefined): string | number | boolean {
  if (value === undefined) return false;
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
