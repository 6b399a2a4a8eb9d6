using EventSnn.Samples.ControlLoop;

namespace EventSnn.Samples.Tests;

public sealed class ControlLoopSampleTests
{
    [Fact]
    public void The_loop_allocates_nothing_after_warm_up_and_steers_after_the_dot()
    {
        ControlLoopResult r = ControlLoopRunner.Run(new ControlLoopOptions { Ticks = 1_500, WarmupTicks = 700 });
        Assert.Equal(800, r.MeasuredTicks);
        Assert.Equal(0, r.AllocatedBytes);
        Assert.True(r.MotorSpikes > 0, "the motor populations fired");
        Assert.True(r.Correlation > 0, $"the steering command moves with the dot (correlation {r.Correlation})");
        Assert.True(r.MedianUs > 0 && r.MedianUs <= r.P99Us && r.P99Us <= r.WorstUs);
        Assert.Equal(1_500 / 125, r.Report.Count);
    }

    [Fact]
    public void A_short_run_prints_its_latency_and_allocation()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, ControlLoop.Program.Run(["0.2"], output, error));
        Assert.Equal(string.Empty, error.ToString());
        string text = output.ToString();
        Assert.Contains("ticks: 200 (100 after warm-up)", text, StringComparison.Ordinal);
        Assert.Contains("p99", text, StringComparison.Ordinal);
        Assert.Contains("worst", text, StringComparison.Ordinal);
        Assert.Contains("bytes allocated by the loop after warm-up:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "SECONDS must be a number")]
    [InlineData("0", "SECONDS must be a number")]
    [InlineData("-1", "SECONDS must be a number")]
    [InlineData("NaN", "SECONDS must be a number")]
    [InlineData("1e9", "SECONDS must be a number")]
    [InlineData("--fast", "unknown option '--fast'")]
    public void A_bad_argument_is_one_line_and_exit_code_2(string arg, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(2, ControlLoop.Program.Run([arg], output, error));
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("control-loop: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void Two_durations_are_refused()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(2, ControlLoop.Program.Run(["1", "2"], output, error));
        Assert.Contains("one SECONDS argument", error.ToString(), StringComparison.Ordinal);
    }
}
