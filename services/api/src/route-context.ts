import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import type { Logger } from '@tidewater/telemetry';
import type { ApiTokenStore } from './auth/api-tokens.ts';
import type { Identity } from './auth/identity.ts';
import type { ProjectTokenStore, SessionStore } from './auth/jwt-tokens.ts';
import type { LoginLimiter } from './auth/login-limiter.ts';
import type { PasswordStore } from './auth/passwords.ts';
import type { ControlClient } from './control/control-client.ts';
import type { EventFanout } from './stream/event-fanout.ts';
import type { Permission, Rbac } from './rbac/enforcer.ts';
import type { ApplicationCache } from './state/application-cache.ts';

/** What every route module gets from the composition root (createApi). */
export interface RouteContext {
  config: () => TidewaterConfig;
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  control: ControlClient;
  fanout: EventFanout;
  /** List views of applications, invalidated by events. */
  applications: ApplicationCache;
  /** Responses are checked against their schemas (tests): routes then return objects, never pre-serialised JSON. */
  validateResponses: boolean;
  rbac: () => Promise<Rbac>;
  passwords: PasswordStore;
  apiTokens: ApiTokenStore;
  sessions: SessionStore;
  projectTokens: ProjectTokenStore;
  loginLimiter: LoginLimiter;
  auditorUrl?: string;
  sessionTtlSeconds: number;
  /** The caller of an authenticated route (set by the authentication hook). */
  identity(request: FastifyRequest): Identity;
  /** Throws 403 naming the permission when the caller lacks it. */
  authorize(request: FastifyRequest, permission: Permission): Promise<void>;
  /** The configured application, or 404. */
  application(name: string): ArgoApplication;
}
