import { redactConnectionString } from 'mongodb-connection-string-url';
import type { z } from 'zod';
import { configSchema, REFUSAL, type Config } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** One problem per variable (its first), named and never with its value: some variables carry credentials. */
function problems(issues: readonly z.core.$ZodIssue[]): string[] {
  const byVariable = new Map<string, string>();
  for (const issue of issues) {
    const path = issue.path.join('.');
    if (!byVariable.has(path)) byVariable.set(path, path === '' ? issue.message : `${path} ${issue.message}`);
  }
  return [...byVariable.values()];
}

/** Reads and validates the environment once; an invalid value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable counts as unset, as it does for most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const refusal = parsed.error.issues.find((issue) => issue.code === 'custom' && issue.params?.[REFUSAL] === true);
  if (refusal !== undefined) throw new ConfigError(refusal.message);
  throw new ConfigError(`invalid configuration: ${problems(parsed.error.issues).join('; ')}`);
}

/**
 * A URL with its password replaced by a placeholder (the user name stays, to tell accounts apart) and
 * its query left out (a PostgreSQL URL may carry `password=` or `sslpassword=` there).
 */
function redactUrl(value: string): string {
  const url = URL.parse(value);
  if (url === null) return '(unparseable URL)';
  const credentials = url.username === '' && url.password === '' ? '' : `${url.username}${url.password === '' ? '' : ':<password>'}@`;
  return `${url.protocol}//${credentials}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** The configuration as it may be logged: credentials in the MongoDB, PostgreSQL and SMTP URLs replaced by placeholders. */
export function redactedConfig(config: Config): object {
  return {
    ...config,
    ...(config.mongodb === undefined ? {} : { mongodb: { ...config.mongodb, uri: redactConnectionString(config.mongodb.uri) } }),
    ...(config.postgres === undefined ? {} : { postgres: { ...config.postgres, url: redactUrl(config.postgres.url) } }),
    ...(config.email === undefined ? {} : { email: { ...config.email, smtpUrl: redactUrl(config.email.smtpUrl) } }),
  };
}
