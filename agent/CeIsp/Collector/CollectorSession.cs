using CeAgent.Mqtt;

namespace CeIsp.Collector;

/// <summary>
/// The collector's connection to the broker: (re)connect, subscribe, and take delivered messages in
/// batches: whatever has arrived, up to <see cref="MaxBatch"/>. A batch is verified while the one before
/// it is stored (one transaction), and each message is acknowledged only once the batch holding it is
/// committed, or it was rejected for good; if the store fails, the session ends without acknowledging and
/// the broker, which keeps the session, delivers the messages again to the restarted collector. A refused
/// subscription ends the session too: a collector without its subscription would run and store nothing.
/// </summary>
public sealed class CollectorSession(MqttLink link, SummaryCollector collector, string group, Action<string> log)
{
    /// <summary>Exit codes of `ce-isp collect`.</summary>
    public const int Ok = 0, SubscriptionRefused = 3, StoreFailed = 4;
    private const int Retry = -1;

    /// <summary>Messages a transaction at most; the broker delivers at most the connection's receive
    /// maximum unacknowledged, so a batch is bounded by that too.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>Run after every batch and every idle second, on the storing thread (the daily retention run: cheap unless due).</summary>
    public Action? Between { get; init; }

    public IReadOnlyList<string> Filters { get; } = [$"$share/{group}/ce/v1/+/summary", "ce/v1/+/state"];

    public async Task<int> RunAsync(CancellationToken stop)
    {
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        bool subscribed = false;
        (List<Delivery> Deliveries, VerifyingBatch Batch)? pending = null;
        while (!stop.IsCancellationRequested)
        {
            if (!link.IsConnected || !subscribed)
            {
                // Subscribing on every (re)connection is harmless and survives a broker that lost the session.
                subscribed = false;
                int? exit = link.IsConnected || await Connect(stop).ConfigureAwait(false) ? await Subscribe(stop).ConfigureAwait(false) : Retry;
                if (exit is Retry)
                {
                    await Pause(backoff, stop).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
                    continue;
                }
                if (exit is not null)
                    return exit.Value;
                subscribed = true;
                backoff = TimeSpan.FromSeconds(1);
            }
            // With a batch waiting to be stored, take only what is there already: nothing waits for company.
            List<Delivery> taken = await Take(pending is null ? TimeSpan.FromSeconds(1) : TimeSpan.Zero, stop).ConfigureAwait(false);
            var next = taken.Count == 0 ? ((List<Delivery>, VerifyingBatch)?)null
                : (taken, collector.Verify([.. taken.Select(d => new Incoming(d.Topic, d.Payload))]));
            if (pending is { } p && !await Finish(p.Deliveries, p.Batch, stop).ConfigureAwait(false))
                return StoreFailed;
            pending = next;
            // Every turn, not only when idle: under constant load the collector is never idle.
            Between?.Invoke();
        }
        // Stopping: what was verified is still stored and acknowledged rather than delivered again.
        return pending is { } last && !await Finish(last.Deliveries, last.Batch, CancellationToken.None).ConfigureAwait(false) ? StoreFailed : Ok;
    }

    private async Task<List<Delivery>> Take(TimeSpan wait, CancellationToken stop)
    {
        var list = new List<Delivery>();
        if (await link.NextAsync(wait, stop).ConfigureAwait(false) is not { } first)
            return list;
        list.Add(first);
        while (list.Count < MaxBatch && await link.NextAsync(TimeSpan.Zero, stop).ConfigureAwait(false) is { } more)
            list.Add(more);
        return list;
    }

    /// <summary>Stores the batch, then acknowledges its messages. If the batch fails, its messages are
    /// stored one by one, each acknowledged once stored, up to the one the store fails on: false then, and
    /// that message and those after it stay unacknowledged (the broker delivers them again).</summary>
    private async Task<bool> Finish(List<Delivery> deliveries, VerifyingBatch batch, CancellationToken stop)
    {
        if (TryStore(batch, deliveries[0].Topic, quiet: deliveries.Count > 1))
        {
            await Ack(deliveries, stop).ConfigureAwait(false);
            return true;
        }
        if (deliveries.Count == 1)
            return false;
        int i = 0;
        foreach (VerifyingBatch one in batch.One())
        {
            if (!TryStore(one, deliveries[i].Topic, quiet: false))
                return false;
            await Ack([deliveries[i++]], stop).ConfigureAwait(false);
        }
        return true;
    }

    private bool TryStore(VerifyingBatch batch, string topic, bool quiet)
    {
        IngestResult[] results;
        try
        {
            results = collector.Store(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only the store can throw out of Store (bad input is a counted rejection): nothing is acknowledged.
            log(quiet ? $"warning: the store failed on a batch of {batch.Batch.Count} ({e.GetType().Name}: {e.Message}); storing them one by one"
                : $"error: the store failed on {topic} ({e.GetType().Name}: {e.Message}); the message is not acknowledged and the broker keeps it");
            return false;
        }
        foreach (IngestResult r in results)
            Report(r);
        return true;
    }

    private async Task Ack(IEnumerable<Delivery> deliveries, CancellationToken stop)
    {
        foreach (Delivery d in deliveries)
        {
            try
            {
                await d.AckAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Stored, but the broker did not hear so: it delivers the message again and the store drops the repeat.
                log($"warning: acknowledgement not sent ({e.Message}); the broker will deliver {d.Topic} again");
            }
        }
    }

    private void Report(IngestResult r)
    {
        if (r.Outcome == IngestOutcome.Rejected)
            log($"rejected {r.Reason}");
        else if (r.Outcome == IngestOutcome.Enrolled)
            log($"enrolled {r.CeId} on first use");
        else if (r.Outcome == IngestOutcome.Fork)
            log($"warning: {r.CeId} sent a different message with sequence {r.Seq}: recorded as a fork");
    }

    private async Task<bool> Connect(CancellationToken stop)
    {
        try
        {
            await link.ConnectAsync(stop).ConfigureAwait(false);
            log("connected");
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stop.IsCancellationRequested)
                log($"warning: cannot connect to the broker: {e.GetBaseException().Message}");
            return false;
        }
    }

    private async Task<int?> Subscribe(CancellationToken stop)
    {
        int[] codes;
        try
        {
            codes = await link.SubscribeAsync(Filters, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stop.IsCancellationRequested)
                log($"warning: subscription not answered: {e.GetBaseException().Message}");
            return Retry;
        }
        bool refused = false;
        for (int i = 0; i < Filters.Count; i++)
        {
            int code = i < codes.Length ? codes[i] : 0x80;
            refused |= code >= 0x80;
            log(code >= 0x80 ? $"error: the broker refused {Filters[i]} (reason 0x{code:x2}; check the broker's ACL for this identity, and that it supports shared subscriptions)"
                : $"subscribed to {Filters[i]}");
        }
        return refused ? SubscriptionRefused : null;
    }

    private static async Task Pause(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
