export { ConfigError, loadConfig, type EnvSource } from './load-config';
export { envBoolean, envPort, envUrl, envList } from './env-fields';
