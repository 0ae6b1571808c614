namespace Renewals.Bench;

/// <summary>The bench's separate measures, chosen with <c>--phase NAME</c> as the first option.</summary>
internal static class Phases
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return args.Length > 1 ? args[1] switch
            {
                "delivery" => await DeliveryBench.RunAsync(args[1..]),
                "sizes" => await PartitionSizes.RunAsync(args[1..]),
                "partition" => await PartitionBench.RunAsync(args[1..]),
                "pdf" => await PdfBench.RunAsync(args[1..]),
                "webhooks" => await WebhookBench.RunAsync(args[1..]),
                _ => throw new UsageException($"--phase: delivery, sizes, partition or pdf, not {args[1]}"),
            } : throw new UsageException("--phase needs a name: delivery, sizes, partition or pdf");
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("renewals-bench: " + e.Message);
            return 2;
        }
    }
}
