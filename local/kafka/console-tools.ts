/**
 * How a person looks at the local broker with Kafka's own console tools (from the fetched jars; the Maven
 * artifacts ship no bin/ scripts): list topics, a consumer group's offsets and lag, a topic read from the
 * beginning. `npm run local -- --keep` prints these; an integration test runs them.
 */
import { javaCommand, TOOLS_JVM_OPTIONS, TOOLS_LOG4J_CONFIG, type KafkaBroker } from './broker';

export interface ConsoleToolCommand {
  readonly what: string;
  readonly argv: readonly string[];
}

export function consoleTools(broker: Pick<KafkaBroker, 'bootstrap' | 'libDir'>, topic: string, groupId: string): ConsoleToolCommand[] {
  const tool = (mainClass: string, args: string[]) => javaCommand(broker.libDir, TOOLS_JVM_OPTIONS, TOOLS_LOG4J_CONFIG, mainClass, args);
  const server = ['--bootstrap-server', broker.bootstrap];
  return [
    { what: 'list topics', argv: tool('org.apache.kafka.tools.TopicCommand', [...server, '--list']) },
    {
      what: `describe ${topic} (partitions, leaders)`,
      argv: tool('org.apache.kafka.tools.TopicCommand', [...server, '--describe', '--topic', topic]),
    },
    {
      what: `offsets and lag of the consumer group ${groupId}`,
      argv: tool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [...server, '--describe', '--group', groupId]),
    },
    {
      what: `read ${topic} from the beginning (partition, offset, key, value; stops after 10 messages or 10 s without one)`,
      argv: tool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
        ...server,
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        '10',
        '--timeout-ms',
        '10000',
        '--property',
        'print.partition=true',
        '--property',
        'print.offset=true',
        '--property',
        'print.key=true',
      ]),
    },
  ];
}

/** A command line a shell runs as given (single-quoted where needed, e.g. the classpath glob). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Lines for the --keep instructions. */
export function consoleToolCommands(broker: Pick<KafkaBroker, 'bootstrap' | 'libDir'>, topic: string, groupId: string): string[] {
  return consoleTools(broker, topic, groupId).flatMap((c) => [`# ${c.what}`, shellLine(c.argv)]);
}
