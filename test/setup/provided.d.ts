// Values the integration globalSetup hands to tests through inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** bootstrap address of the run's real broker, e.g. 127.0.0.1:39092 */
    kafkaBrokers: string
    /** its user (the managed broker takes no other client); null for KAFKA_BROKERS's cluster */
    kafkaSasl: {
      mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'
      username: string
      password: string
    } | null
    /** how often the broker deletes expired records (see test/setup/kafka.ts); 0: unknown (KAFKA_BROKERS) */
    kafkaRetentionCheckMs: number
    /** connection URL of the run's real PostgreSQL (embedded or DATABASE_URL) */
    databaseUrl: string
    /** 'embedded' or 'external' */
    postgresKind: string
  }
}
export {}
