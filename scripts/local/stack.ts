import { type Moto, startMoto } from './moto';
import { type SeededEnvironment, seedEnvironment } from './seed';
import { type ServiceProcess, startAuxiliary, startMainApi } from './services';

export const LOCAL_REGION = 'eu-west-1';

export interface StackOptions {
  motoPort?: number;
  auxiliaryPort?: number;
  mainPort?: number;
  environment?: string;
  auxiliaryEnv?: Record<string, string>;
  mainEnv?: Record<string, string>;
  /** Each output line of a child process, and whether it came on its stdout or its stderr. */
  onLine?: (service: string, line: string, stream: 'stdout' | 'stderr') => void;
}

export interface Stack {
  moto: Moto;
  seeded: SeededEnvironment;
  auxiliary: ServiceProcess;
  main: ServiceProcess;
  stop(): Promise<void>;
}

/** The whole system on loopback: emulator, seeded as Terraform would, then both services. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const process of started.reverse()) await process.stop();
  };
  const lines = (service: string) => (line: string, stream?: 'stdout' | 'stderr') =>
    options.onLine?.(service, line, stream ?? 'stdout');
  try {
    const moto = await startMoto(options.motoPort, lines('moto'));
    started.push(moto);
    const seeded = await seedEnvironment(
      { endpoint: moto.endpoint, region: LOCAL_REGION },
      options.environment,
    );
    const auxiliary = await startAuxiliary({
      awsEndpoint: moto.endpoint,
      region: LOCAL_REGION,
      credentials: seeded.serviceUserCredentials,
      environment: seeded.environment,
      ...(options.auxiliaryPort ? { port: options.auxiliaryPort } : {}),
      ...(options.auxiliaryEnv ? { env: options.auxiliaryEnv } : {}),
      onLine: lines('auxiliary-service'),
    });
    started.push(auxiliary);
    const main = await startMainApi({
      auxiliaryUrl: auxiliary.url,
      ...(options.mainPort ? { port: options.mainPort } : {}),
      ...(options.mainEnv ? { env: options.mainEnv } : {}),
      onLine: lines('main-api'),
    });
    started.push(main);
    return { moto, seeded, auxiliary, main, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
