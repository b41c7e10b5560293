export { freePort, waitForPort, repoRoot, killWhenParentDies } from './ports';
export { startEmbeddedPostgres, externalPostgres, ensureDatabase, dropDatabase, type PostgresHandle, type EmbeddedPostgresOptions } from './postgres';
export { startRedisServer, redisServerAvailable, type RedisHandle } from './redis';
export { startKafka, kafkaAvailable, kafkaVersion, type KafkaHandle, type StartKafkaOptions } from './kafka';
export { startRestartableRedis, startRestartableKafka, type RestartableServer, type RestartableRedis, type RestartableKafka } from './restartable';
