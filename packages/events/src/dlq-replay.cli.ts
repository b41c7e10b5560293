import { replayDeadLetters } from './dlq-replay';

/**
 * `npm run dlq:replay -- <topic>`: sends the dead letters of `<topic>.dlq` back to `<topic>`.
 * Reads KAFKA_BROKERS and KAFKA_TOPIC_PREFIX like the services do (with a prefix, `<topic>` is
 * still the logical name and `<prefix><topic>.dlq` is read); this entry point is the only place
 * it reads the environment. Exit codes: 0 replayed (possibly nothing), 1 failed, 2 bad usage.
 */
async function main(): Promise<number> {
  const topic = process.argv[2];
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const topicPrefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  if (!topic || topic.startsWith('-') || !brokers.length || !/^[a-z0-9._-]*$/i.test(topicPrefix)) {
    process.stderr.write(
      'usage: KAFKA_BROKERS=host:9092[,host:9092] [KAFKA_TOPIC_PREFIX=prefix.] npm run dlq:replay -- <topic>   (reads <prefix><topic>.dlq)\n',
    );
    return 2;
  }
  const result = await replayDeadLetters({ brokers, topic, topicPrefix, log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(
    `${result.deadLetterTopic}: read ${result.read} dead letter(s), republished ${result.republished}` +
      (result.duplicates ? `, skipped ${result.duplicates} duplicate(s) of the same message` : '') +
      '\n',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`dlq:replay failed: ${error.message}\n`);
    process.exit(1);
  },
);
