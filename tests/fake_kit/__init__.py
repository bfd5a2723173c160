"""What the fake messenger servers share: handing out records once, one-shot faults."""
