import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { createLogger, type Logger } from '@tidewater/telemetry';
import { createApiTokenStore } from './auth/api-tokens.ts';
import { createAuthenticate, csrfHeader } from './auth/authenticate.ts';
import type { Identity } from './auth/identity.ts';
import { createProjectTokenStore, createSessionStore } from './auth/jwt-tokens.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createPasswordStore } from './auth/passwords.ts';
import { loadSigningKey } from './auth/signing-key.ts';
import { createControlClient } from './control/control-client.ts';
import { ApiError, notFound, permissionDenied, registerErrorHandler, unauthenticated } from './errors/api-errors.ts';
import { createRbac, type Rbac } from './rbac/enforcer.ts';
import type { RouteContext } from './route-context.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerApplicationDeleteRoute } from './routes/application-delete.ts';
import { registerApplicationLiveRoutes } from './routes/application-live.ts';
import { registerApplicationRoutes } from './routes/applications.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerImageRoutes } from './routes/images.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerPipelineRoutes } from './routes/pipelines.ts';
import { registerSlackInteractionRoutes, type SlackInteractionSettings } from './routes/slack-interactions.ts';
import { registerProjectRoutes } from './routes/projects.ts';
import { registerSessionRoutes } from './routes/session.ts';
import { registerSettingsRoutes } from './routes/settings.ts';
import { registerSsoRoutes } from './routes/sso.ts';
import { createOidcLogin } from './auth/oidc-login.ts';
import { createEventFanout } from './stream/event-fanout.ts';
import { createApplicationCache } from './state/application-cache.ts';
import { registerUi } from './ui/serve-ui.ts';

export interface ApiDeps {
  /** Current configuration; read per request, so a reload (SIGHUP) takes effect at once. */
  config: () => TidewaterConfig;
  /** A producer connection (fails fast); blocking readers open their own connections from `redisUrl`. */
  redis: Redis;
  redisUrl: string;
  events: EventPublisher;
  logger?: Logger;
  /** The auditor's HTTP API, for `/api/v1/audit/*`. */
  auditorUrl?: string;
  /** HMAC key for session and project tokens (resolved from a secret reference); default: generated, kept in Redis. */
  signingKey?: string;
  /** BullMQ prefix of the control queue (tests). */
  controlPrefix?: string;
  sessionTtlSeconds?: number;
  /**
   * Check every response against its zod schema (tests and the fuzzing run). Off by default: handlers are
   * type-checked against the same schemas, and encoding 1,000 applications through zod costs more than the rest.
   */
  validateResponses?: boolean;
  loginLimits?: { maxPerAccount?: number; maxPerAddress?: number; windowSeconds?: number };
  /** Slack's interactive Approve / Reject (POST /api/v1/slack/interactions); absent: the route answers 404. */
  slack?: SlackInteractionSettings;
  /** The built web UI served at `/` (default: services/ui/dist when built; false: none). */
  uiDir?: string | false;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
  interface FastifyContextConfig {
    /** Routes anyone may call (login, the OpenAPI document, health). */
    public?: boolean;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The operator API, built without listening (tests use `inject`): Argo CD-compatible application routes, sessions,
 * accounts and tokens, projects, events and audit, each authenticated and authorized with Argo CD's RBAC.
 */
export async function createApi(deps: ApiDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger('api');
  // maxParamLength: names up to 253 characters (Kubernetes) must reach the schema check (400), not fastify's 414.
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, trustProxy: false, routerOptions: { maxParamLength: 1_024 } }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(deps.validateResponses ? serializerCompiler : () => (data) => JSON.stringify(data));
  registerErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tidewater API', version: '1.0.0', description: 'The operator API of Tidewater. Application paths follow Argo CD\'s REST API.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'a session token (POST /api/v1/session), an account API token (tw_…) or a project role token' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'tidewater.token', description: 'browser session; mutating calls also need the X-CSRF-Token header' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  const signingKey = await loadSigningKey(deps.redis, deps.signingKey);
  const rbacByConfig = new WeakMap<TidewaterConfig, Promise<Rbac>>();
  const rbac = () => {
    const config = deps.config();
    let built = rbacByConfig.get(config);
    if (!built) {
      built = createRbac(config);
      rbacByConfig.set(config, built);
      void built.then((result) => { for (const warning of result.warnings) logger.warn({ warning }, 'RBAC configuration warning'); }, () => undefined);
    }
    return built;
  };
  let settings = (await rbac()).settings;
  const apiTokens = createApiTokenStore(deps.redis);
  const sessions = createSessionStore(deps.redis, signingKey);
  const projectTokens = createProjectTokenStore(deps.redis, signingKey);
  const authenticate = createAuthenticate({ config: deps.config, settings: () => settings, apiTokens, sessions, projectTokens });
  const control = createControlClient({ redisUrl: deps.redisUrl, connection: deps.redis, ...(deps.controlPrefix ? { prefix: deps.controlPrefix } : {}) });
  const fanout = createEventFanout({ redisUrl: deps.redisUrl });
  const applications = createApplicationCache({ redis: deps.redis, fanout });

  const identity = (request: FastifyRequest): Identity => {
    if (!request.identity) throw unauthenticated();
    return request.identity;
  };
  const ctx: RouteContext = {
    config: deps.config, redis: deps.redis, events: deps.events, logger, control, fanout, applications, rbac,
    validateResponses: deps.validateResponses ?? false,
    passwords: createPasswordStore(deps.redis), apiTokens, sessions, projectTokens,
    loginLimiter: createLoginLimiter(deps.redis, deps.loginLimits),
    ...(deps.auditorUrl ? { auditorUrl: deps.auditorUrl } : {}),
    sessionTtlSeconds: deps.sessionTtlSeconds ?? 24 * 3_600,
    identity,
    async authorize(request, permission) {
      if (!(await rbac()).can(identity(request), permission)) throw permissionDenied(permission);
    },
    application(name) {
      const found = deps.config().applications.find((candidate) => candidate.metadata.name === name);
      if (!found) throw notFound(`application ${name}`);
      return found;
    },
  };

  app.decorateRequest('identity', null);
  // Every /api/v1 route is authenticated unless it says it is public; a cookie session must echo its CSRF token.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/v1/') || request.routeOptions.config?.public) return;
    settings = (await rbac()).settings;
    request.identity = await authenticate(request);
    if (request.identity.cookie && !safeMethods.has(request.method) && request.headers[csrfHeader] !== request.identity.cookie.csrf) {
      throw new ApiError(403, 'PermissionDenied', `missing or wrong ${csrfHeader} header: a browser session must echo the tidewater.csrf cookie`);
    }
    request.log = request.log.child({ actor: request.identity.subject });
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/api/version', { config: { public: true }, schema: { tags: ['session'], summary: 'API version' } }, async () => ({ Version: '1.0.0', Service: 'tidewater' }));

  registerSessionRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerSsoRoutes(app, ctx, createOidcLogin(deps.redis));
  registerAccountRoutes(app, ctx);
  registerProjectRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerApplicationLiveRoutes(app, ctx);
  registerApplicationDeleteRoute(app, ctx);
  registerOperationRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerImageRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerPipelineRoutes(app, ctx);
  registerSlackInteractionRoutes(app, ctx, () => deps.slack);
  // Last: the UI's catch-all GET route must not stand in for an API route registered after it.
  if (deps.uiDir !== false) await registerUi(app, deps.uiDir);

  app.addHook('onClose', async () => {
    applications.close();
    await Promise.all([control.close(), fanout.close()]);
  });
  return app;
}

/** Sets the admin's first password (from a secret, else generated) unless one exists; returns a generated one to show once. */
export async function initialiseAdmin(redis: Redis, password?: string): Promise<{ created: boolean; password?: string }> {
  return createPasswordStore(redis).initialiseAdmin(password);
}

/** Sets a local account's password (operators' bootstrap and tests). */
export async function setAccountPassword(redis: Redis, account: string, password: string): Promise<void> {
  await createPasswordStore(redis).set(account, password);
}
