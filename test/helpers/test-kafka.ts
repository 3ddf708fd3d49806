import { inject } from 'vitest'
import { parseBrokerList, type KafkaConnection } from '../../src/main/kafka/client'

type Sasl = NonNullable<KafkaConnection['sasl']>

/**
 * The run's broker as a client reaches it: its address and, when it is the managed broker of
 * test/setup/kafka.ts, its user (issue 15: it refuses clients without one).
 */
export function testKafkaConnection(clientId?: string): KafkaConnection {
  const sasl = inject('kafkaSasl') ?? undefined
  return {
    brokers: parseBrokerList(inject('kafkaBrokers')),
    ...(clientId && { clientId }),
    ...(sasl && { sasl }),
  }
}

/** The run broker's user as the environment a CLI child reads (KAFKA_SASL_*); blank for none. */
export function kafkaSaslEnv(sasl: Sasl | null | undefined = inject('kafkaSasl')): Record<string, string> {
  return {
    KAFKA_SASL_MECHANISM: sasl?.mechanism ?? '',
    KAFKA_SASL_USERNAME: sasl?.username ?? '',
    KAFKA_SASL_PASSWORD: sasl?.password ?? '',
  }
}

/** The run's broker as settings name it (`--brokers` and KAFKA_SASL_*), for a test's services. */
export function testKafkaSettings(): { brokers: string[]; kafkaSasl?: Sasl } {
  const { brokers, sasl } = testKafkaConnection()
  return { brokers, ...(sasl && { kafkaSasl: sasl }) }
}
