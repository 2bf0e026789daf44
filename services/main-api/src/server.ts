import { startService } from '@platform/service-kit';
import { buildApp } from './app';
import { loadMainConfig } from './config';

void startService(() => buildApp(loadMainConfig()));
