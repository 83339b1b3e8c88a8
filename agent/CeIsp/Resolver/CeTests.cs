using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace CeIsp.Resolver;

/// <summary>
/// The tests of one observation's CEs, run as the store hands each CE's messages over: inline at
/// parallelism 1, otherwise on up to that many thread-pool workers while the caller goes on reading (on
/// PostgreSQL the server produces the next rows meanwhile; on SQLite the reading thread is one core, the
/// tests the other). A worker never blocks: it runs what is queued and ends, and the next hand-over starts
/// another. <see cref="Wait"/> has the caller run what is left itself and waits only for workers that are
/// running, so a busy pool (a desk answering many requests) delays nothing; it rethrows the first failure
/// as itself, not wrapped. Tests are handed over <see cref="Batch"/> at a time: a CE's test takes some
/// 20 us, and starting a worker for each one cost more CPU than it saved.
/// </summary>
internal sealed class CeTests(int parallelism) : IDisposable
{
    private const int Batch = 8;
    private readonly ConcurrentQueue<List<Action>> _queue = [];
    private readonly List<Task> _workers = [];
    private List<Action> _pending = [];
    private int _active;
    private ExceptionDispatchInfo? _failure;

    public void Run(Action test)
    {
        if (parallelism == 1)
        {
            test();
            return;
        }
        _pending.Add(test);
        if (_pending.Count >= Batch)
            Flush();
    }

    /// <summary>Runs what is still queued on the caller, waits for the workers that took some, then throws
    /// the first failure, if any. A worker the pool starts later finds nothing left and ends.</summary>
    public void Wait()
    {
        Flush();
        Work(counted: false);
        Join();
        _failure?.Throw();
    }

    private void Flush()
    {
        if (_pending.Count == 0)
            return;
        _queue.Enqueue(_pending);
        _pending = [];
        if (Volatile.Read(ref _active) < parallelism)
        {
            Interlocked.Increment(ref _active);
            _workers.Add(Task.Run(() => Work(counted: true)));
        }
    }

    private void Work(bool counted)
    {
        while (_queue.TryDequeue(out List<Action>? batch))
            foreach (Action test in batch)
            {
                if (Volatile.Read(ref _failure) is not null)
                    continue; // one failure decides the request: the rest only drain
                try
                {
                    test();
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
            }
        if (counted)
            Interlocked.Decrement(ref _active);
    }

    /// <summary>Waits for the workers that have started (one that took a batch is running or done); those
    /// the pool has not started yet will find the queue empty.</summary>
    private void Join()
    {
        foreach (Task w in _workers)
            if (w.Status is not (TaskStatus.Created or TaskStatus.WaitingForActivation or TaskStatus.WaitingToRun))
                w.Wait();
    }

    /// <summary>After a failure of the caller's own (the store's read), the queued tests are dropped and the
    /// running ones waited for: none outlives the request, and their failures give way to the caller's.</summary>
    public void Dispose()
    {
        Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(new OperationCanceledException()), null);
        _queue.Clear();
        Join();
    }
}
