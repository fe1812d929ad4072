from .a import b
import .c
   from .d.e import f
