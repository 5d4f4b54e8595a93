"""Start-up's objects are kept out of the collector's full passes; later garbage is still collected."""
import gc

from bot import long_lived


def test_start_up_objects_are_frozen_and_what_comes_later_is_still_collected():
    try:
        start_up = [[i] for i in range(50_000)]
        long_lived.keep_start_up_objects()
        assert gc.get_freeze_count() >= len(start_up)

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a  # garbage only the cyclic collector frees
        del a, b
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()
