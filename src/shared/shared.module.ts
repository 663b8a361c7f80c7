import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { Metrics } from './operations/metrics';
import { TokenCipher } from './crypto/token-cipher';

/** Config, metrics and the token cipher, available everywhere. */
@Global()
@Module({})
export class SharedModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SharedModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, Metrics, TokenCipher],
      exports: [APP_CONFIG, Metrics, TokenCipher],
    };
  }
}
