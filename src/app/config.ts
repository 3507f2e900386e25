// The configuration lives in ./config/: the documented variables, their schema and the loader.
export { ConfigError, loadConfig, redactedConfig } from './config/load-config.js';
export type { Config, RateLimitsConfig } from './config/schema.js';
export { defaultHashConcurrency } from './config/variables.js';
