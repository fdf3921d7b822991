// Test classes run one at a time. TorchSharp 0.107 passes the Scalar it creates for an implicit argument (the alpha
// of every `a + b`) to native code without keeping it alive, so a collection started by another thread can finalize
// it before libtorch reads it: a rare "toFloat"/"toLong" error (69 in 2 000 000 additions beside a thread whose
// allocations start a collection every ~130 µs; dotnet/TorchSharp#1434 would dispose such Scalars after the call).
// Tests running side by side are such threads: one of eight full runs on 2026-11-26 failed that way, in a DPO test's
// addition. On two cores the suite takes as long either way (42–48 s one at a time, 38–49 s side by side), since
// libtorch already runs each test's operations on both.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
