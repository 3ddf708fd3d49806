// Values the integration globalSetup hands to tests through inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** bootstrap address of the run's real broker, e.g. 127.0.0.1:39092 */
    kafkaBrokers: string
    /** connection URL of the run's real PostgreSQL (embedded or DATABASE_URL) */
    databaseUrl: string
    /** 'embedded' or 'external' */
    postgresKind: string
  }
}
export {}
