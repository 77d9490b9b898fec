// Waiting for SIGTERM / SIGINT without async-signal-unsafe handlers: the signals are blocked in
// every thread (call BlockTerminationSignals before starting any) and received with sigwait.
#pragma once

namespace ct {

void BlockTerminationSignals();
// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForTerminationSignal();

}  // namespace ct
