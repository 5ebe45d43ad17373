// A shared object that is not a tandem plugin: it exports no tandem_strategy_plugin().
extern "C" __attribute__((visibility("default"))) int not_a_tandem_plugin() { return 1; }
