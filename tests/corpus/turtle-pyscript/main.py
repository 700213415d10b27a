   

from turtleps import *
from tests import *


#test_lag()
await test_interactive_loop()

#await test_storytelling()
