import { startService } from '@platform/service-kit';
import { buildApp } from './app';
import { loadAuxiliaryConfig } from './config';

void startService(() => buildApp(loadAuxiliaryConfig()));
