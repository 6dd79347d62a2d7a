package hoard.e2e.hello;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class HelloTest {
    @Test
    public void greets() {
        assertEquals("Hello, cache!", Hello.greet("cache"));
    }
}
