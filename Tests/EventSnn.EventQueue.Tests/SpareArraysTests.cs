namespace EventSnn.EventQueue.Tests;

public class SpareArraysTests
{
    [Fact]
    public void Rent_reuses_a_spare_of_the_same_class()
    {
        var spares = new SpareArrays<long>();
        long[] returned = new long[16];
        spares.Return(returned);
        Assert.Same(returned, spares.Rent(16));
    }

    [Fact]
    public void Rent_takes_a_larger_spare_before_allocating()
    {
        // Buckets grow (small arrays come back) and empty out (large arrays come back): a request for a small array
        // must be served from a larger spare rather than allocate while that spare sits unused.
        var spares = new SpareArrays<long>();
        long[] large = new long[64];
        spares.Return(large);
        long[] rented = spares.Rent(8);
        Assert.Same(large, rented);
        Assert.NotSame(large, spares.Rent(8));
    }

    [Fact]
    public void Rent_never_returns_an_array_shorter_than_asked()
    {
        var spares = new SpareArrays<int>();
        int[] shortInClass = new int[9];
        spares.Return(shortInClass);
        int[] rented = spares.Rent(12);
        Assert.True(rented.Length >= 12);
        Assert.NotSame(shortInClass, rented);

        // The shorter array is kept (one class down) and still serves a request it fits.
        Assert.Same(shortInClass, spares.Rent(5));
    }
}
