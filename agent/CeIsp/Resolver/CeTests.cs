using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace CeIsp.Resolver;

/// <summary>
/// The tests of one observation's CEs, run as the store hands each CE's messages over: inline at
/// parallelism 1, otherwise on up to that many thread-pool workers fed from a queue while the caller goes on
/// reading (on PostgreSQL the server produces the next rows meanwhile; on SQLite the reading thread is one
/// core, the tests the other). <see cref="Wait"/> has the caller drain the queue too, so the tests finish
/// even if no worker could start (a busy pool), and rethrows the first failure as itself, not wrapped.
/// Tests are handed over <see cref="Batch"/> at a time: a CE's test takes some 20 us, and waking a worker
/// for each one cost more CPU than it saved.
/// </summary>
internal sealed class CeTests(int parallelism) : IDisposable
{
    private const int Batch = 8;
    private readonly BlockingCollection<List<Action>> _queue = [];
    private readonly List<Task> _workers = [];
    private List<Action> _pending = [];
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

    /// <summary>Runs what is queued, with the workers, until all is done; then the first failure, if any.</summary>
    public void Wait()
    {
        Flush();
        _queue.CompleteAdding();
        Work();
        Task.WaitAll([.. _workers]);
        _failure?.Throw();
    }

    private void Flush()
    {
        if (_pending.Count == 0)
            return;
        _queue.Add(_pending);
        _pending = [];
        if (_workers.Count < parallelism)
            _workers.Add(Task.Run(Work));
    }

    private void Work()
    {
        foreach (Action test in _queue.GetConsumingEnumerable().SelectMany(batch => batch))
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
    }

    /// <summary>After a failure of the caller's own (the store's read), the workers stop and are waited for:
    /// none outlives the request, and their failures give way to the caller's.</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(new OperationCanceledException()), null);
            _queue.CompleteAdding();
            Task.WaitAll([.. _workers]);
        }
        _queue.Dispose();
    }
}
